// Moved out of the page so the Content-Security-Policy can forbid inline script.
(function(){
const d=JSON.parse(document.getElementById("chart-data").textContent);
function mk(id,opt){const c=echarts.init(document.getElementById(id));c.setOption(opt);
 c.on("click",p=>{if(p.data&&p.data.url){location.href=p.data.url}});window.addEventListener("resize",()=>c.resize());return c;}
const grid={left:60,right:20,bottom:60,containLabel:true};
window.zjtxCharts={
 tiers:mk("chart-tiers",{tooltip:{},legend:{},grid,xAxis:{type:"category",data:d.policies,axisLabel:{interval:0,rotate:20}},yAxis:{type:"value",name:"户",minInterval:1},
   series:d.tiers.map(s=>({name:s.name,type:"bar",data:s.data,label:{show:true,position:"top"}}))}),
 reserve:mk("chart-reserve",{tooltip:{},grid,xAxis:{type:"category",data:d.reserve.map(r=>r.name),axisLabel:{interval:0,rotate:20}},yAxis:{type:"value",name:"户",minInterval:1},
   series:[{name:"后备企业",type:"bar",data:d.reserve,label:{show:true,position:"top"}}]}),
 towns:mk("chart-towns",{tooltip:{trigger:"axis"},legend:{},grid,yAxis:{type:"category",data:d.towns.names,inverse:true},xAxis:{type:"value",name:"户",minInterval:1},
   series:d.towns.series.map(s=>({name:s.name,type:"bar",stack:"t",data:s.data}))}),
 clusters:mk("chart-clusters",{tooltip:{trigger:"axis"},legend:{},grid,xAxis:{type:"category",data:d.clusters.names,axisLabel:{interval:0,rotate:30}},yAxis:{type:"value",name:"户",minInterval:1},
   series:d.clusters.series.map(s=>({name:s.name,type:"bar",data:s.data}))}),
 trends:mk("chart-trends",{tooltip:{trigger:"axis"},legend:{},grid,xAxis:{type:"category",data:d.trends.years},yAxis:{type:"value",name:"户",minInterval:1},
   series:d.trends.series.map(s=>({name:s.name,type:"line",data:s.data,label:{show:true}}))}),
};})();
